"""`youhu hotspots`: the hottest groups of appeals, from a CSV file or from the tickets in the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youhu.dispatch.hotspots import Hotspot, appeals_from_csv, current_hotspots, find_hotspots


class Command(BaseCommand):
    help = "列出热点诉求（同一地点、同一问题的集中诉求），默认取数据库中最近 30 天的工单"

    def needs_migrated_database(self, args: list[str]) -> bool:
        """A CSV of appeals needs no database (youhu.cli)."""
        return not any(a == "--input" or a.startswith("--input=") for a in args)

    def add_arguments(self, parser):
        parser.add_argument("--input", help="CSV 文件：id,title,received_at,text[,likes,dislikes]")
        parser.add_argument("--top", type=int, default=10, help="列出前 N 个热点（默认 10）")
        parser.add_argument("--window-days", type=int, default=None,
                            help="只看最近 N 天（以最新一条诉求的时间为准；CSV 默认全部，数据库默认 30）")
        parser.add_argument("--similarity", type=float, default=0.4, help="文本相似度阈值（0-1，默认 0.4）")

    def handle(self, *args, **options):
        top = options["top"]
        if top < 1:
            raise CommandError("--top 须为正整数")
        if not 0 < options["similarity"] <= 1:
            raise CommandError("--similarity 须在 0 到 1 之间")
        if options["input"]:
            path = Path(options["input"])
            if not path.is_file():
                raise CommandError(f"文件不存在：{path}")
            try:
                appeals = appeals_from_csv(path)
            except (UnicodeDecodeError, OSError) as exc:
                raise CommandError(f"无法读取 {path}：{exc}") from exc
            undated = sum(1 for a in appeals if a.received_at is None)
            hotspots = find_hotspots(appeals, window_days=options["window_days"],
                                     similarity=options["similarity"])[:top]
            self.stdout.write(f"共 {len(appeals)} 条诉求（{undated} 条时间无法识别），热点前 {top}：")
        else:
            hotspots = current_hotspots(days=options["window_days"] or 30, limit=top)
            self.stdout.write(f"最近 {options['window_days'] or 30} 天工单中的热点前 {top}：")
        if not hotspots:
            self.stdout.write("没有发现热点。")
        for rank, hotspot in enumerate(hotspots, start=1):
            self.stdout.write(self._line(rank, hotspot))

    @staticmethod
    def _line(rank: int, h: Hotspot) -> str:
        span = (f"{h.first_at:%Y-%m-%d} 至 {h.last_at:%Y-%m-%d}（{h.span_days:.0f} 天）"
                if h.first_at and h.last_at else "时间不详")
        return (f"{rank:>2}. 热度 {h.heat:6.2f} | {h.size} 条 | 点赞/反对 {h.votes} | {span} | "
                f"地点：{h.place} | {h.title}")
