# -*- coding: utf-8 -*-
from prefect import flow


@flow
def bom_flow(name: str = "wörld"):
    "Döc"
