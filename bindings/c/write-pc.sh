#!/usr/bin/env bash
# Writes jixiao.pc: write-pc.sh PREFIX VERSION OUTPUT. One link line for every use:
#  - shared: -ljixiao, with the library's directory as the program's run path unless it is
#    a system one (a program linked against /opt/jixiao must find it when it starts);
#  - static (pkg-config --static): the archive needs only libm beyond libc (glibc 2.34 and
#    later hold pthread, dl, rt and util; libgcc comes with gcc itself, and naming -lgcc_s
#    would break -static).
set -euo pipefail
prefix="$1" version="$2" output="$3"
rpath=' -Wl,-rpath,${libdir}'
case "$prefix" in /usr | /usr/local) rpath='' ;; esac
cat >"$output" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: jixiao
Description: jixiao (绩效) performance-evaluation scoring engine, C ABI
Version: $version
Libs: -L\${libdir} -ljixiao$rpath
Libs.private: -lm
Cflags: -I\${includedir}
PC
