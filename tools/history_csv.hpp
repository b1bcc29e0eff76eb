// A training History as a CSV file in the layout of Keras's CSVLogger (docs/callbacks.md), so
// that `minidl plot` reads the logs of minidl's CSVLogger, Keras's, or write_history_csv alike.
#pragma once

#include <filesystem>

#include "minidl/train/history.hpp"

namespace minidl::tools {

/// Writes `history` as Keras's CSVLogger does: the columns "epoch" then the names sorted, one
/// row per epoch, values as Python's str(float) ("0.5", "1e-05", "nan", "inf"), which read back
/// bit for bit. Atomic (write_file_atomically): a reader sees the old file or the whole new one.
/// IOError naming `path` when it cannot be written.
void write_history_csv(const std::filesystem::path& path, const History& history);

/// Reads a file written by write_history_csv or by a CSVLogger (minidl's or Keras's). The epochs
/// come from the "epoch" column (whole numbers); the other columns become the series, reordered
/// into Keras's History order as far as a file can tell it (a CSVLogger sorts them): "loss", the
/// other names in the file's order, "val_loss", the other val_ names, then "lr". Empty cells,
/// "nan" and CSVLogger's "NA" (a value not logged that epoch) read as NaN; "inf" and "-inf" as
/// infinities. IOError "<file>:<line>:<column>: ..." for a missing "epoch" column, a cell that
/// is not a number or an epoch that is not whole; IOError naming the file when it cannot be
/// read, is not CSV or has no rows.
History read_history_csv(const std::filesystem::path& path);

}  // namespace minidl::tools
