"""Extract orders, transform them and load them into the warehouse."""

from datetime import date, timedelta

from prefect import flow, task


@task(retries=3, retry_delay_seconds=10)
def extract(day: date) -> list[dict]:
    """Fetch the orders of one day from the shop's API."""
    return [{"id": 1, "day": day.isoformat(), "total": 42.0}]


@task
def transform(orders: list[dict]) -> list[dict]:
    return [o | {"total_cents": round(o["total"] * 100)} for o in orders]


@task
def load(rows: list[dict]) -> int:
    print(f"loading {len(rows)} rows")
    return len(rows)


@flow(name="etl", log_prints=True)
def etl(day: date | None = None) -> int:
    """Load one day of orders (yesterday by default)."""
    day = day or date.today() - timedelta(days=1)
    return load(transform(extract(day)))


@flow(log_prints=True)
def backfill(days: int = 7) -> int:
    """Re-run the ETL for the last `days` days."""
    today = date.today()
    return sum(etl(today - timedelta(days=n)) for n in range(1, days + 1))


if __name__ == "__main__":
    etl()
