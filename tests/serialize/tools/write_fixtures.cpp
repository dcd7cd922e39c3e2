// serialize_write_fixtures DIR: writes the checkpoints ember produces for the Python check
// (tests/fixtures/serialize_fixtures.py check) into DIR.
#include <iostream>

#include "serialize/ember_files.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: serialize_write_fixtures DIR\n";
    return 2;
  }
  ember_files::write_ember_files(argv[1]);
  std::cout << "wrote ember's checkpoints to " << argv[1] << "\n";
  return 0;
}
