// SPDX-License-Identifier: GPL-2.0-or-later
#include <inotifytools/inotifytools.h>
int main(void) { return inotifytools_initialize() ? 0 : 1; }
