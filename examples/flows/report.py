"""A weekly summary of the warehouse, mailed to the team."""

from prefect import flow


@flow(name="weekly-report", log_prints=True)
def weekly_report(recipients: list[str] = ["data@acme.example"]) -> str:
    summary = "orders: 1,234; revenue: 56,789 EUR"
    print(f"sending {summary!r} to {', '.join(recipients)}")
    return summary


if __name__ == "__main__":
    weekly_report()
