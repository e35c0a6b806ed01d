"""`youhu model train|evaluate|ensure|audit`: the dispatch classifier's model file and its training labels."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from youhu import spreadsheet
from youhu.dispatch import classifier
from youhu.dispatch.classifier import storage
from youhu.dispatch.classifier.audit import AuditResult, audit
from youhu.dispatch.classifier.comparison import Comparison, compare, spec_of
from youhu.dispatch.classifier.evaluation import cross_validate
from youhu.dispatch.classifier.features import DEFAULT_SPEC
from youhu.dispatch.classifier.training import TrainingDataError, load_dataset, train
from youhu.dispatch.services import auto_dispatch_threshold

# What `youhu model train` wrote before the model file became an .npz of plain arrays.
OLD_PICKLE_NAME = "dispatch-classifier.pkl"


class Command(BaseCommand):
    help = "训练、评估分类模型 (train, evaluate or ensure the dispatch classifier's model)"
    # The database's corrections are optional (youhu.cli); storing audit findings for review is not.
    needs_migrated_database = staticmethod(lambda args: "audit" in args and "--save" in args)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p_train = sub.add_parser("train", help="train from the labelled CSV(s) + dispatchers' corrections")
        p_eval = sub.add_parser("evaluate", help="stratified k-fold cross-validation figures as JSON")
        p_ensure = sub.add_parser(
            "ensure", help="check the model in use (trained, else shipped); train only if neither is usable, "
                           "or if --data/--output ask for a trained one")
        p_audit = sub.add_parser(
            "audit", help="training examples whose label the model confidently disputes (cleanlab, out-of-fold)")
        for p in (p_train, p_eval, p_ensure, p_audit):
            p.add_argument("--data", nargs="+", type=Path, metavar="CSV",
                           help="labelled CSV file(s) with columns [title,]text,label (default: the public "
                                "labeled_appeals.csv under YOUHU_SHARED_DIR, ../shared by default)")
            p.add_argument("--no-db", action="store_true", help="ignore corrections stored in the database")
        for p in (p_train, p_ensure):
            p.add_argument("--output", type=Path, help="model file (default: MODEL_DIR/dispatch-classifier.npz)")
        p_train.add_argument("--cv", type=int, default=0, metavar="FOLDS",
                             help="also cross-validate with FOLDS folds and store the figures in the file")
        p_eval.add_argument("--folds", type=int, default=5)
        p_train.add_argument("--compare-folds", type=int, default=5, metavar="FOLDS",
                             help="compare with the model in use on FOLDS folds first (0: do not compare)")
        p_train.add_argument("--force", action="store_true",
                             help="save the new model even if the comparison finds it worse")
        p_audit.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
        p_audit.add_argument("--limit", type=int, metavar="ROWS",
                             help="audit a stratified random sample of ROWS rows only (faster)")
        p_audit.add_argument("--top", type=int, default=30, metavar="N", help="findings printed (default 30)")
        p_audit.add_argument("--out", type=Path, metavar="CSV", help="write every finding to CSV")
        p_audit.add_argument("--save", action="store_true",
                             help="store the findings for review (/dispatch/model/labels/); decided ones are kept")

    def handle(self, *args, action: str, **opts) -> None:
        try:
            if action == "audit":
                self._audit(opts)
            elif action == "evaluate":
                self._evaluate(opts)
            elif action == "ensure":
                self._ensure(opts)
            else:
                self._train(opts)
        except TrainingDataError as exc:
            raise CommandError(str(exc)) from exc

    def _dataset(self, opts: dict):
        return load_dataset(opts.get("data"), include_db=not opts.get("no_db"))

    def _train(self, opts: dict) -> None:
        dataset = self._dataset(opts)
        folds = opts.get("cv") or 0
        cv = cross_validate(dataset, folds=folds) if folds >= 2 else None
        output = opts.get("output") or classifier.trained_model_path()
        comparison = self._compare(dataset, opts)
        if comparison is not None and not comparison.new_is_better and not opts.get("force"):
            self.stdout.write(f"新模型不如当前模型，保留当前模型 (the new model is not better: kept "
                              f"{classifier.default_model_path()}; --force saves it anyway)")
            return
        extra = {"threshold": auto_dispatch_threshold()}
        if comparison is not None:
            extra |= {"comparison": {"folds": comparison.folds, "new": comparison.new.as_dict(),
                                     "current": comparison.current.as_dict()},
                      # held-out: what appeals the model has not seen look like to it (the health page's drift)
                      "low_confidence_share": comparison.new.low_confidence_share}
        model = train(dataset, output, cv=cv, extra=extra)
        classifier.reset_default()
        meta = model.header["training"]
        self.stdout.write(
            f"模型已保存 (model saved): {output}  rows={meta['rows']} labels={len(model.labels)} "
            f"sources={meta['sources']} seconds={meta['seconds']}"
        )
        if cv:
            self.stdout.write(f"CV macro-F1={cv['macro_f1']} precision@80%={cv['precision_at_coverage']['80%']}")

    def _compare(self, dataset, opts: dict) -> Comparison | None:
        """The new model against the one in use, on the same folds (printed); None when not compared."""
        folds = opts.get("compare_folds", 5)
        if folds is None or folds < 2:
            return None
        try:
            current = classifier.load(classifier.default_model_path())
        except storage.ModelFileError as exc:
            self.stdout.write(f"没有可用的当前模型，不作比较 (no usable current model to compare with: {exc})")
            return None
        trained_at = parse_datetime(str((current.header.get("training") or {}).get("trained_at") or ""))
        then = load_dataset(opts.get("data"), include_db=not opts.get("no_db"), as_of=trained_at)
        result = compare(dataset, then, new_spec=DEFAULT_SPEC, current_spec=spec_of(current.header) or DEFAULT_SPEC,
                         folds=folds, threshold=auto_dispatch_threshold())
        for name, scores in (("new", result.new), ("current", result.current)):
            self.stdout.write(
                f"{name:>7}: macro-F1={scores.macro_f1} accuracy={scores.accuracy} "
                f"precision@80%={scores.precision_at_80} low-confidence={scores.low_confidence_share:.1%}")
        self.stdout.write(f"(same {result.folds} folds, {result.rows} rows whose label did not change scored; current trained {trained_at or '?'})")
        return result

    def _evaluate(self, opts: dict) -> None:
        if opts["folds"] < 2:
            raise CommandError("--folds 至少为 2 (at least 2)")
        result = cross_validate(self._dataset(opts), folds=opts["folds"])
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _audit(self, opts: dict) -> None:
        if opts["folds"] < 2:
            raise CommandError("--folds 至少为 2 (at least 2)")
        if opts.get("limit") is not None and opts["limit"] < 10:
            raise CommandError("--limit 至少为 10 (at least 10 rows)")
        dataset = self._dataset(opts)
        result = audit(dataset, folds=opts["folds"], limit=opts.get("limit"))
        self.stdout.write(
            f"疑似标注错误 (label issues): {len(result.findings)} / {result.rows} rows, "
            f"{result.folds} folds, {result.seconds} s")
        for rank, f in enumerate(result.findings[: max(opts["top"], 0)], 1):
            self.stdout.write(f"{rank:>4}. {f.given} → {f.suggested} ({f.confidence:.2f})  {_abbreviate(f.text)}")
        if opts.get("out"):
            self._write_findings(opts["out"], result)
            self.stdout.write(f"已写入 (written): {opts['out']}")
        if opts.get("save"):
            from youhu import clock
            from youhu.dispatch import reviews

            created, refreshed = reviews.save_findings(result.findings, source=", ".join(dataset.sources),
                                                       now=clock.now())
            self.stdout.write(f"待复核 (saved for review): {created} new, {refreshed} still pending refreshed")

    def _write_findings(self, path: Path, result: AuditResult) -> None:
        with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
            out = spreadsheet.writer(fh)
            out.writerow(["rank", "text", "given_label", "suggested_label", "confidence", "given_probability",
                          "text_sha256"])
            for rank, f in enumerate(result.findings, 1):
                out.writerow([rank, f.text, f.given, f.suggested, f.confidence, f.given_probability, f.text_hash])

    def _ensure(self, opts: dict) -> None:
        output = opts.get("output") or classifier.trained_model_path()
        old = classifier.trained_model_path().with_name(OLD_PICKLE_NAME)
        if old.exists():
            self.stdout.write(f"旧的 pickle 模型文件 {old} 已不再使用 (an old pickle model file, no longer loaded): "
                              f"{storage.RETRAIN_HINT}")
        try:
            classifier.load(output)
        except storage.ModelFileError as exc:
            problem = exc
        else:
            self.stdout.write(f"模型可用 (model is usable): {output}")
            return
        # Asked for nothing in particular and nothing trained here yet: the shipped model serves.
        if not (opts.get("output") or opts.get("data") or output.exists()):
            try:
                classifier.load(classifier.SHIPPED_MODEL)
            except storage.ModelFileError as exc:
                self.stdout.write(f"随附的默认模型不可用 (the shipped model is unusable): {exc}")
            else:
                self.stdout.write(f"使用随附的默认模型 (using the shipped default model): {classifier.SHIPPED_MODEL}")
                return
        self.stdout.write(f"{problem}\n正在训练 (training) …")
        self._train({**opts, "output": output, "cv": 0, "compare_folds": 0})


def _abbreviate(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
