# The run QC checks: its run record (RUN/run_record.json, status "complete"), the parameters
# each notebook ran with, and the input files with their SHA-256 as the record names them.
# QC reads nothing else the Python run wrote except RUN/ard.csv (compare.R).

qc_stop <- function(...) {
  message("QC: ", paste0(...))
  quit(save = "no", status = 2)
}

#' The repository root: validation/qc/ lies two levels below it.
repo_root <- function(qc_dir) normalizePath(file.path(qc_dir, "..", ".."), mustWork = TRUE)

#' The slug of a comparison [experimental, control]: "ARM A", "ARM B" -> "arm-a-vs-arm-b"
#' (studies/README.md: each comparison runs into RUN/<slug>/).
comparison_slug <- function(experimental, control) {
  part <- function(v) {
    s <- gsub("^-+|-+$", "", gsub("[^a-z0-9]+", "-", tolower(v)))
    if (nzchar(s)) s else "arm"
  }
  paste0(part(experimental), "-vs-", part(control))
}

#' The runs of a parameter file: its output_dir (relative paths: to the repository root), or,
#' for a study with several comparisons that the file does not narrow to one (parameter
#' `comparison`, or a notebook's own `study`/`comparison`), output_dir/<slug> of each
#' comparison, as the runner writes them (studies/README.md, `comparisons`).
run_dirs_of_params <- function(params_file, root) {
  if (!file.exists(params_file)) qc_stop("parameter file ", params_file, " does not exist")
  params <- yaml::read_yaml(params_file)
  out <- resolve_path(params$parameters$output_dir %||% "runs/interactive", root)
  narrowed <- !is.null(params$parameters$comparison) ||
    any(vapply(params$notebooks %||% list(), function(o)
      is.list(o) && any(c("study", "comparison") %in% names(o)), TRUE))
  study_file <- resolve_path(params$parameters$study %||% "studies/default.yaml", root)
  if (narrowed || !file.exists(study_file)) return(out)
  pairs <- yaml::read_yaml(study_file)$comparisons
  if (length(pairs) < 2) return(out)
  file.path(out, vapply(pairs, function(p) {
    p <- vapply(p, function(x) if (is.list(x)) as.character(x$value) else as.character(x), "")
    comparison_slug(p[1], p[2])
  }, ""))
}

resolve_path <- function(path, root) {
  ifelse(startsWith(path, "/"), path, file.path(root, path))
}

#' The complete run record of RUN, or stop saying why it is refused.
read_run_record <- function(run_dir) {
  if (!dir.exists(run_dir)) qc_stop("run directory ", run_dir, " does not exist; run ",
                                    "`jcog1017-run PARAMS.yaml` first")
  path <- file.path(run_dir, "run_record.json")
  if (!file.exists(path)) qc_stop("run directory ", run_dir, " holds no complete run: ",
                                  "run_record.json is missing (the run never completed)")
  record <- tryCatch(jsonlite::fromJSON(path, simplifyVector = FALSE),
                     error = function(e) qc_stop(path, " is unreadable: ", conditionMessage(e)))
  if (!is.list(record) || !identical(record$status, "complete"))
    qc_stop(path, ": status ", deparse(record$status), ", not \"complete\": QC refuses an ",
            "incomplete run")
  for (key in c("notebooks", "data_files", "study_files"))
    if (is.null(record[[key]])) qc_stop(path, ": key '", key, "' is missing")
  record
}

sha256_of <- function(path) {
  out <- system2("sha256sum", shQuote(path), stdout = TRUE)
  sub(" .*$", "", out[1])
}

#' Stop unless `path` is a file the record names and its SHA-256 equals the recorded one.
check_recorded_file <- function(path, recorded, what) {
  real <- normalizePath(path, mustWork = TRUE)
  paths <- vapply(recorded, function(f) normalizePath(f$path, mustWork = FALSE), "")
  hit <- which(paths == real)
  if (length(hit) == 0)
    qc_stop(what, " ", real, " is not among the files of run_record.json (",
            paste(paths, collapse = ", "), "): QC reads only what the run read")
  expected <- recorded[[hit[1]]]$sha256
  actual <- sha256_of(real)
  if (!identical(actual, expected))
    qc_stop(what, " ", real, " has SHA-256 ", actual, " but run_record.json records ",
            expected, ": the file changed after the run; rerun the run, then QC")
  list(path = real, sha256 = actual)
}

#' Resolved parameters of one notebook from the record.
notebook_params <- function(record, notebook) {
  nb <- record$notebooks[[notebook]]
  if (is.null(nb)) qc_stop("run_record.json has no notebook ", notebook)
  nb$parameters
}

#' Parameters every notebook shares (data, study, data cut); stop when notebooks differ.
shared_param <- function(record, key) {
  values <- unique(lapply(record$notebooks, function(nb) nb$parameters[[key]]))
  if (length(values) > 1)
    qc_stop("notebooks of the run use different '", key, "' values; QC checks one data set")
  values[[1]]
}
