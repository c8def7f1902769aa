# Command-line arguments shared by qc.R and compare.R: --params FILE (RUN = its output_dir) or
# --run DIR, and --out DIR (default RUN/qc).
parse_args <- function(argv, root) {
  out <- list()
  i <- 1
  while (i <= length(argv)) {
    key <- argv[i]
    value <- if (i < length(argv)) argv[i + 1] else NA
    if (key %in% c("--params", "--run", "--out", "--ard", "--qc")) {
      if (is.na(value)) qc_stop("argument ", key, " needs a value")
      out[[sub("^--", "", key)]] <- value
      i <- i + 2
    } else {
      qc_stop("unknown argument ", key, "; use --params FILE or --run DIR [--out DIR] [--ard FILE] [--qc FILE]")
    }
  }
  if (!is.null(out$params)) out$run <- run_dir_of_params(out$params, root)
  if (is.null(out$run)) qc_stop("give --params PARAMS.yaml or --run RUN_DIR")
  out$run <- normalizePath(resolve_path(out$run, getwd()), mustWork = FALSE)
  out
}
