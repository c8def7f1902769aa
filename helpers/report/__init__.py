"""What the supplement shows: number formatting (``format``), tables (``tables/``), figures
(``plots/``) and the endpoint chapters' texts (``endpoint``), built from the results of
``helpers.analyses`` and the lower layers. Nothing here computes a statistic the analyses do
not."""
