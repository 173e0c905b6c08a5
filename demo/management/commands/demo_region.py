import datetime as dt
import re
import signal

from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from demo.region import DEFAULT_SEED, DemoOptions, build_demo, demo_data_exists, month_end, reset_demo, stderr_progress
from placements.population import FOODVALLEY_POPULATION_CSV, PopulationFileError, load_population


def _month(value: str) -> dt.date:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(value)
    return month_end(int(match.group(1)), int(match.group(2)))


def _terminate(signum, frame):
    raise SystemExit(f"demo_region afgebroken (signaal {signum})")


class Command(BaseCommand):
    help = ("Build the synthetic demo: Jeugdregio Food Valley from 2017 up to last month (deterministic), "
            "or with --children N a larger population over more regions for benchmarks.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
        parser.add_argument("--reset", action="store_true", help="delete earlier demo children, episodes and declarations first")
        parser.add_argument("--if-missing", action="store_true", dest="if_missing",
                            help="do nothing (exit 0) when demo data exist already, e.g. in a start script")
        parser.add_argument("--children", type=int, default=None, help="number of children (default: realistic Food Valley)")
        parser.add_argument("--regions", default="foodvalley",
                            help='"foodvalley" (default), "all" (342 municipalities), a number of regions, or region names separated by commas')
        parser.add_argument("--from-year", type=int, default=2017, dest="from_year", help="first year of the data window (default 2017)")
        parser.add_argument("--until", default=None, help="last month of the data, YYYY-MM (default: last month)")
        parser.add_argument("--no-declarations", action="store_true", dest="no_declarations", help="build no cost lines")
        parser.add_argument("--chunk-size", type=int, default=20_000, dest="chunk_size", help="children per chunk (memory bound)")

    def handle(self, *args, **opts):
        until = None
        if opts["until"]:
            try:
                until = _month(opts["until"])
            except ValueError as exc:
                raise CommandError(f"--until verwacht JJJJ-MM, niet '{opts['until']}'") from exc
        if opts["children"] is not None and opts["children"] < 1:
            raise CommandError("--children moet minstens 1 zijn.")
        if opts["reset"]:
            reset_demo(progress=stderr_progress)
        elif demo_data_exists():
            if opts["if_missing"]:
                self.stdout.write("Er staan al demodata in de database; niets gedaan (--if-missing).")
                return
            raise CommandError("Er staan al demodata in de database. Gebruik --reset om ze eerst te verwijderen en opnieuw op te bouwen.")
        try:
            created, updated, unchanged = load_population(FOODVALLEY_POPULATION_CSV)
        except PopulationFileError as exc:  # pragma: no cover - the shipped file is tested
            raise CommandError("; ".join(exc.problems)) from exc
        self.stderr.write(f"jeugdbevolking Food Valley: {created} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd")
        # A terminated build still restores the indexes it dropped (bulk mode): turn SIGTERM into SystemExit.
        previous = signal.signal(signal.SIGTERM, _terminate)
        options = DemoOptions(seed=opts["seed"], children=opts["children"], regions=opts["regions"], from_year=opts["from_year"],
                              until=until, declarations=not opts["no_declarations"], chunk_size=opts["chunk_size"],
                              progress=stderr_progress)
        try:
            result = build_demo(options)
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write(self.style.SUCCESS(
            f"Demo gebouwd tot en met {result.data_date:%d-%m-%Y} in {result.municipalities} gemeenten: "
            f"{number(result.children)} kinderen, {number(result.episodes)} trajecten, {number(result.declarations)} declaraties "
            f"({number(result.seconds, 1)} s)."
        ))
