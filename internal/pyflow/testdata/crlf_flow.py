from prefect import flow

@flow(name="crlf")
def crlf_flow(a: int = 1,
              b="x"):
    """Doc
    line two\
    joined."""
    return a

class K:
    def m(self): pass
