x = (
def g(
  """
class A:
	def m(self
