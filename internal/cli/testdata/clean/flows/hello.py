from prefect import flow


@flow(log_prints=True)
def hello(who: str = "world") -> None:
    print(f"hello, {who}")
