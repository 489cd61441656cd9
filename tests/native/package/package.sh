#!/usr/bin/env bash
# libocf as a library people link: installs the build into a temporary
# prefix, then builds a C program against it with CMake (find_package(ocf))
# and with cc -locf alone (no libstdc++ on the link line), runs both, and
# checks that the library exports only its API, versioned.
#
#   tests/native/package/package.sh [BUILD_DIR]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
. "$here/tests/provider/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

check "cmake --install into a prefix" \
	sh -c "cmake --install '$build/libocf' --prefix '$prefix' >'$tmp/install.log' 2>&1"
lib=$(ls "$prefix"/lib*/libocf.so.0 2>/dev/null | head -n1)
libdir=$(dirname "${lib:-$prefix/lib/x}")
check "the CMake package is installed beside libocf.pc" \
	test -f "$libdir/cmake/ocf/ocf-config.cmake" -a -f "$libdir/pkgconfig/libocf.pc"
check "a C-only CMake project finds ocf::ocf and builds" \
	sh -c "cmake -S '$here/tests/native/package' -B '$tmp/c' -DCMAKE_PREFIX_PATH='$prefix' >'$tmp/c.log' 2>&1 &&
	       cmake --build '$tmp/c' >>'$tmp/c.log' 2>&1"
check "the CMake-built C program runs" \
	sh -c "LD_LIBRARY_PATH='$libdir' '$tmp/c/consumer' >/dev/null"
check "cc consumer.c -locf links without libstdc++ on the command line, and runs" \
	sh -c "cc -I'$prefix/include' '$here/tests/native/package/consumer.c' -L'$libdir' -locf -o '$tmp/cc' &&
	       LD_LIBRARY_PATH='$libdir' '$tmp/cc' >/dev/null"
# Exported: ocf_* and namespace ocf only, every one at version LIBOCF_0.1.
exports=$(nm -D --defined-only "$lib" | awk '{print $3}')
others=$(printf '%s\n' "$exports" | grep -v -e '^LIBOCF_0\.1$' | c++filt |
	grep -v -e '^ocf_[a-z_]*@@LIBOCF_0\.1$' -e '^\(typeinfo \(name \)\?for \|vtable for \)\?ocf::.*@@LIBOCF_0\.1$')
report "libocf exports only its API, versioned LIBOCF_0.1 ($(printf '%s\n' "$exports" | wc -l) symbols)" \
	"$([ -z "$others" ]; echo $?)"
[ -z "$others" ] || printf '%s\n' "$others" | head -n 10 | sed 's/^/# unexpected: /'
finish
