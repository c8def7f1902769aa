"""Foundation used by every layer: the errors (``errors``: ``DataValidationError`` naming file,
column and rows; ``ParameterError``), atomic file and directory writes (``atomic``) and file
checksums (``checksums``). Imports nothing else of ``helpers``."""
