// Catch2 3 (Debian 13) in place of Catch2 2's single header (Debian 12),
// which every test includes: catch_all.hpp has what catch.hpp had, and
// Approx moved into namespace Catch. On the include path only when CMake
// finds Catch2 3 (tests/CMakeLists.txt).
#pragma once
#include <catch2/catch_all.hpp>
using Catch::Approx;
