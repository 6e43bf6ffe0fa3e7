"""Module docstring mentioning def fake(): and @flow."""
from prefect import flow as f, task
import prefect
import prefect as pf
from prefect.flows import flow
from typing import Optional, List, Dict, Literal

s1 = "def not_a_function(x): pass"
s2 = '''
@flow
def also_not_a_function():
    pass
'''
s3 = f"{s1!r:>{len(s2)}} and {'def nope(): ...'} {s2['x' if s1 else 'y']}"
s4 = rb'\d+' + Rb"\"" + bR'''x'''
s5 = F'''{
    s1
}''' + fR"{s1}\n" + Rf'{s2}'


@f
def aliased(x: int, y: "Optional[str]" = None) -> None:
    "single quoted docstring \x41\N{LATIN SMALL LETTER E WITH ACUTE}\u00e9\t."


@f(
    name="etl-flow",  # comment inside decorator call
    retries=3,
    log_prints=True,
)
async def etl(
    source: str,
    /,
    limit: int = 10,
    *args: int,
    mode: Literal["a", "b"] = "a",
    key=lambda a, b=(1, 2): (a, b),
    **kwargs: Dict[str, List[int]],
) -> Dict[
    str, int
]:
    ("parenthesised "
     "docstring")
    def inner(flow): pass
    class Inner:
        def not_listed(self): pass
    return {}


@prefect.flow
def dotted(a, b=[1, 2, (3, 4)], *, c: (int) = (5), d=(6, 7), e=(x for x in ()), **kw): ...


@pf.flow(name="pf " "concat")
def aliased_module(): pass


@ flow . __call__
def weird_spacing(): pass


@task
def a_task(n: int = 1): return n


@(flow)
def paren_decorator(): pass


def with_continuation(a, \
                      b = 1 + \
                          2):
	"""Tab indented body."""
	if a:
		return b
	return a


class Outer:
    """Class docstring."""

    @staticmethod
    @flow(name="static")
    def static_flow(x: 'int' = 1): pass

    class Nested:
        @flow
        async def deep(self, *, z): pass

    if True:
        def conditional(self): pass
    else:
        def conditional(self, other): pass

    try:
        import json
    except ImportError:
        def handler(self): pass
    finally:
        def final(self): pass

    def method(self, x=(1, 2), y={"a": 1, "b": [1, 2]}, z={1, 2}): return x; pass;


class Inline: x = 1; y = 2


def one_liner(a, b): return a + b; "not a docstring"


def semicolon_doc(): "doc"; x = 1


def not_doc_fstring(): f"not {'a'} docstring"


def not_doc_bytes(): b"bytes"


def not_doc_call(): "x".format(1)


match s1:
    case "def x():":
        def in_match(): pass
    case _:
        pass

match = 1
case = match


def after_soft_keywords(match=1, case=2): pass


while False:
    def in_while(): pass
else:
    def in_while_else(): pass

with open(__file__) as fh:
    def in_with(x=[*range(3)], y={**{}}): pass

for _ in ():
    async def in_for(): pass


def numbers(a=0x1F, b=0o17, c=0b101, d=1_000.5e-3j, e=1if True else 2, f=.5, g=1.): pass


def ellipsis_default(a=..., b: "..." = ...): pass


def starred_annotation(*args: "*Ts"): pass


def generics(a: list[dict[str, int | None]] = [], b: "tuple[int, ...]" = ()) -> list[int] | None: pass


def decorated_later(): pass


deployment = etl.with_options(name="etl-weekly", retries=1)
other = deployment = f(aliased)
annotated: object = dotted.to_deployment(name="annotated")

if __name__ == "__main__":
    etl.serve(name="etl-dev", cron="0 * * * *", parameters={"source": "x"})
    flow.from_source(
        source="https://github.com/org/repo.git",
        entrypoint="flows.py:etl",
    ).deploy(name="etl-prod", work_pool_name="k8s", image="org/etl:latest")
    prefect.serve(deployment, dotted.to_deployment(name="d2"), limit=5)
    serve(etl.to_deployment(name="x"))
