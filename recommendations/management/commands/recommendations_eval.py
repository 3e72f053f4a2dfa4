"""How well the recommendations find a tag's papers, against three baselines.

    .venv/bin/python manage.py recommendations_eval [--holdout 0.2] [--seed 0]
        [--min-papers 5] [--tag SLUG ...] [--per-tag]
    .venv/bin/python manage.py recommendations_eval --for-you [--holdout 0.2] [--seed 0]

For every tag with enough published papers, a share of its papers is held out with the same
share of the others; a linear classifier trained on the tag's other papers against sampled
others ranks the held-out candidates, as do newest first, most voted and random (seeded).
Prints Recall@10, nDCG@10 and MRR of each, averaged over the cases (each fold of each tag).
See recommendations/engine/evaluation.py.

With --for-you, the members' "for you" models instead: each member's latest positives (a
vote, a paper put on a list) are held out, and the model trained on the earlier ones, as the
feed trains it, ranks them among held-out papers the member never signalled
(recommendations/engine/for_you.py, evaluate_members).
"""

from django.core.management.base import BaseCommand, CommandError

from recommendations.engine import for_you
from recommendations.engine.evaluation import MODEL, RANDOM, RANKERS
from recommendations.evaluation import evaluation_run, for_you_evaluation_run
from recommendations.selectors import FOR_YOU_MIN_POSITIVES

MSG_NO_VERSION = "No features are fitted yet: run manage.py recommendations_fit first."
MSG_NO_CASE = "No tag has {n} published papers or more: there is nothing to evaluate."
MSG_NO_MEMBER = (
    "No member has {n} positive papers before their latest ones: there is nothing to evaluate."
)
HEADER = "{ranker:<16} {recall:>10} {ndcg:>9} {mrr:>7}"
ROW = "{ranker:<16} {recall:>10.3f} {ndcg:>9.3f} {mrr:>7.3f}"


class Command(BaseCommand):
    help = "Evaluate per-tag rankings of held-out papers against three baselines."

    def add_arguments(self, parser):
        parser.add_argument("--holdout", type=float, default=0.2, help="Share held out (0.2).")
        parser.add_argument("--seed", type=int, default=0, help="Seed of the splits and random.")
        parser.add_argument(
            "--min-papers", type=int, default=5, help="Tags with fewer papers are skipped (5)."
        )
        parser.add_argument("--tag", action="append", default=[], help="Only this tag (slug).")
        parser.add_argument("--per-tag", action="store_true", help="Also each tag's figures.")
        parser.add_argument(
            "--for-you",
            action="store_true",
            help="The members' for-you models, on a time split of each member's signals.",
        )

    def handle(self, *args, **options):
        holdout = options["holdout"]
        if not 0 < holdout < 1:
            raise CommandError("--holdout is a share between 0 and 1, such as 0.2.")
        if options["for_you"]:
            self.for_you(holdout=holdout, seed=options["seed"])
            return
        outcome = evaluation_run(
            holdout=holdout,
            seed=options["seed"],
            min_papers=options["min_papers"],
            tags=options["tag"],
        )
        if outcome is None:
            raise CommandError(MSG_NO_VERSION)
        corpus, report = outcome
        if not report.cases:
            raise CommandError(MSG_NO_CASE.format(n=options["min_papers"]))
        k = report.k
        write = self.stdout.write
        write(
            f"Held-out ranking per tag: features v{corpus.version.pk}, "
            f"{len(corpus.ids)} published papers, {len(report.tags)} tags "
            f"({len(report.tags_skipped)} with fewer than {options['min_papers']} papers "
            f"skipped), {holdout:.0%} of each tag held out, seed {options['seed']}"
        )
        write(HEADER.format(ranker="ranker", recall=f"Recall@{k}", ndcg=f"nDCG@{k}", mrr="MRR"))
        for ranker in RANKERS:
            label = f"{ranker} (seed {options['seed']})" if ranker == RANDOM else ranker
            write(
                ROW.format(
                    ranker=label,
                    recall=report.mean(ranker, "recall"),
                    ndcg=report.mean(ranker, "ndcg"),
                    mrr=report.mean(ranker, "mrr"),
                )
            )
        write(f"cases: {len(report.cases)}")
        if options["per_tag"]:
            write(f"per tag, {MODEL}: nDCG@{k} (cases)")
            for tag in report.tags:
                picks = [i for i, case in enumerate(report.cases) if case.tag == tag]
                values = [report.values[MODEL]["ndcg"][i] for i in picks]
                write(f"  {tag:<30} {sum(values) / len(values):.3f} ({len(picks)})")

    def for_you(self, *, holdout: float, seed: int) -> None:
        outcome = for_you_evaluation_run(
            holdout=holdout, seed=seed, min_positives=FOR_YOU_MIN_POSITIVES
        )
        if outcome is None:
            raise CommandError(MSG_NO_VERSION)
        corpus, report = outcome
        if not report.cases:
            raise CommandError(MSG_NO_MEMBER.format(n=FOR_YOU_MIN_POSITIVES))
        k = report.k
        write = self.stdout.write
        write(
            f"Held-out ranking per member (latest signals): features v{corpus.version.pk}, "
            f"{len(corpus.ids)} published papers, {len(report.cases)} members "
            f"({len(report.tags_skipped)} with too few positives skipped), "
            f"{holdout:.0%} of each member's positives held out, seed {seed}"
        )
        write(HEADER.format(ranker="ranker", recall=f"Recall@{k}", ndcg=f"nDCG@{k}", mrr="MRR"))
        for ranker in for_you.RANKERS:
            label = f"{ranker} (seed {seed})" if ranker == RANDOM else ranker
            write(
                ROW.format(
                    ranker=label,
                    recall=report.mean(ranker, "recall"),
                    ndcg=report.mean(ranker, "ndcg"),
                    mrr=report.mean(ranker, "mrr"),
                )
            )
        write(f"cases: {len(report.cases)}")
