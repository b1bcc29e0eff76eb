// The `minidl` program (docs/cli.md): everything but the entry point is in minidl_tools.
#include "minidl/tools/commands.hpp"

int main(int argc, char** argv) { return minidl::tools::run_cli(argc, argv); }
