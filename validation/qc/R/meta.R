meta_rows <- function(add, collector, record, root, study, s, cut) invisible()
