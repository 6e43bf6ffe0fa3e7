from prefect import flow


@flow
def f():
    pass
