// Writes the CSV files of docs/cli.md's worked examples into a folder (default: the current
// one): waveforms_train.csv and waveforms_test.csv (classification), load.csv (forecasting).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "csv_data.hpp"

int main(int argc, char** argv) {
    const std::filesystem::path folder = argc > 1 ? argv[1] : ".";
    std::filesystem::create_directories(folder);
    const auto write = [&folder](const char* name, const std::string& text) {
        std::ofstream(folder / name, std::ios::binary) << text;
        std::cout << "wrote " << (folder / name).string() << "\n";
    };
    write("waveforms_train.csv", examples::waveform_csv(300, 32, 1));
    write("waveforms_test.csv", examples::waveform_csv(90, 32, 2));
    write("load.csv", examples::series_csv(600, 4));
    return 0;
}
