# The R packages a QC script needs (name = Debian package): a missing one stops QC with one
# line naming the Debian packages to install, exit status 3. Base R only.

require_packages <- function(required) {
  missing <- names(required)[!vapply(names(required), requireNamespace, logical(1),
                                     quietly = TRUE)]
  if (length(missing)) {
    message("QC needs R packages ", paste(missing, collapse = ", "), ": apt-get install ",
            paste(required[missing], collapse = " "))
    quit(save = "no", status = 3)
  }
  invisible(TRUE)
}
