"""Data-dependent prose of the supplement, built from ARD rows (``helpers.ard.ArdView``): each
function returns the Markdown of one paragraph (a notebook shows it with one call,
``display(Markdown(...))``). Static prose stays in the notebooks' Markdown cells."""
