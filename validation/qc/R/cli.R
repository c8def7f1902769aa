# Command-line arguments shared by qc.R and compare.R: --params FILE (RUN = its output_dir;
# a study with several comparisons: each comparison's run output_dir/<slug>) or --run DIR,
# and --out DIR (default RUN/qc).
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
  if (!is.null(out$params)) out$runs <- run_dirs_of_params(out$params, root)
  else if (!is.null(out$run)) out$runs <- out$run
  else qc_stop("give --params PARAMS.yaml or --run RUN_DIR")
  out$runs <- normalizePath(resolve_path(out$runs, getwd()), mustWork = FALSE)
  if (length(out$runs) > 1 && any(c("out", "ard", "qc") %in% names(out)))
    qc_stop("--out, --ard and --qc name one run's files; the parameter file ", out$params,
            " has ", length(out$runs), " runs (one per comparison): give --run RUN_DIR")
  out
}

#' Run `one(run_dir)` for each run of `args` (a study with several comparisons: one run
#' each); the exit status is the first non-zero one (0 when every run passed).
for_each_run <- function(args, one) {
  status <- 0L
  for (run in args$runs) {
    if (length(args$runs) > 1) message("QC of run ", run)
    s <- one(run)
    if (status == 0L && s != 0L) status <- s
  }
  quit(save = "no", status = status)
}
