# Exports the public survival datasets used for validation from R's survival package to CSV,
# so the Python tests read exactly the rows R analysed.
#   Rscript validation/r/datasets.R tests/fixtures/r/data
# Columns are kept as in R, plus `event` (0 = censored, 1 = event) where R codes status 1/2.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/r/data"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

write <- function(df, name) {
  write.csv(df, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
}

lung <- survival::lung
lung$event <- as.integer(lung$status == 2)
write(lung, "lung")

veteran <- survival::veteran
veteran$event <- veteran$status
write(veteran, "veteran")

# colon: the death records of the two arms Obs and Lev+5FU (a two-arm trial, many ties)
colon <- subset(survival::colon, etype == 2 & rx %in% c("Obs", "Lev+5FU"))
colon$rx <- as.character(colon$rx)
colon$event <- colon$status
write(colon, "colon")

ovarian <- survival::ovarian
ovarian$event <- ovarian$fustat
write(ovarian, "ovarian")

# colon, all of it: three arms, recurrence (etype 1) and death (etype 2) records; written as
# ADaM by validation/colon_adam.py for the example study studies/colon.yaml
colon_all <- survival::colon
colon_all$rx <- as.character(colon_all$rx)
write(colon_all, "colon_all")
