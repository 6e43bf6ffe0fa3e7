from prefect import flow
@flow(name="x")
def f(a: int = 1, /, *b, c, **d) -> None:
    """doc"""
    f.serve(name="y")
