"""The numerical core of the recommendations: features, nearest neighbours and the ranking
measures. numpy, SciPy and scikit-learn only, no Django (import-linter checks it), so it can be
read, tested and benchmarked alone; recommendations.services feeds it papers and stores what
it returns."""
