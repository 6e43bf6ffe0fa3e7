def ff(a):
    return a
def gg(): pass
