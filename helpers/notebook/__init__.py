"""What a notebook kernel needs: ``session.start`` (parameters, data, output context) and the
output context itself (``context``). Notebooks import this and the layers below, never the
runner (``helpers.run``)."""
