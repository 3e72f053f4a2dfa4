# The curation models (votes, tags, comments, moderation events) arrive with the curation issue.
