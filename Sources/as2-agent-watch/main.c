// SPDX-License-Identifier: GPL-2.0-or-later
//
// as2-agent-watch — watches folders recursively with libinotifytools and prints one event per
// line on stdout, for the as2-agent daemon that reads them (see docs/folders.md).
//
// Usage: as2-agent-watch DIR...
//
// Output lines (each flushed as it is written):
//   READY                 every listed folder and its subfolders are watched
//   FILE\t<path>          a file was closed after writing (IN_CLOSE_WRITE) or moved in (IN_MOVED_TO)
//   NEWDIR\t<path>        a folder was created or moved in and is now watched: rescan it, since
//                         files written into it before its watch existed produced no event
//   OVERFLOW              the kernel queue overflowed and events were lost: rescan everything
// Paths are escaped so that any byte survives: backslash as \\, tab as \t, newline as \n,
// carriage return as \r, and every other byte below 0x20 or from 0x7f up as \xHH.
//
// The program exits 0 when stdin reaches end-of-file (the agent that started it is gone), and
// with a message on stderr and status 1 when a folder cannot be watched (status 2: bad usage).
//
// libinotifytools keeps global state and is not thread-safe, so the main thread makes every call
// into it. A second thread only blocks on stdin and ends the process at end-of-file.

#define _GNU_SOURCE
#include <errno.h>
#include <inotifytools/inotify.h>
#include <inotifytools/inotifytools.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WATCH_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE)

// Writes all of `len` bytes to stdout; a closed stdout means the agent is gone.
static void write_all(const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            _exit(0);
        }
        buf += n;
        len -= (size_t)n;
    }
}

// Appends `path` to `out`, escaped per the format above. `out` must hold 4 bytes per input byte.
static size_t escape_path(const char *path, size_t len, char *out) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c == '\\') { out[o++] = '\\'; out[o++] = '\\'; }
        else if (c == '\t') { out[o++] = '\\'; out[o++] = 't'; }
        else if (c == '\n') { out[o++] = '\\'; out[o++] = 'n'; }
        else if (c == '\r') { out[o++] = '\\'; out[o++] = 'r'; }
        else if (c < 0x20 || c >= 0x7f) {
            out[o++] = '\\'; out[o++] = 'x'; out[o++] = hex[c >> 4]; out[o++] = hex[c & 15];
        } else out[o++] = (char)c;
    }
    return o;
}

// Prints `TAG\t<escaped dir+name>\n` as one write.
static void emit_path(const char *tag, const char *dir, const char *name) {
    size_t tlen = strlen(tag), dlen = strlen(dir), nlen = name ? strlen(name) : 0;
    char *line = malloc(tlen + 2 + 4 * (dlen + nlen));
    if (!line) { fputs("as2-agent-watch: out of memory\n", stderr); exit(1); }
    size_t o = 0;
    memcpy(line, tag, tlen);
    o += tlen;
    line[o++] = '\t';
    o += escape_path(dir, dlen, line + o);
    if (name) o += escape_path(name, nlen, line + o);
    line[o++] = '\n';
    write_all(line, o);
    free(line);
}

static void emit(const char *text) { write_all(text, strlen(text)); }

static void fail_watch(const char *path, int err) {
    if (err == ENOSPC) {
        fprintf(stderr,
                "as2-agent-watch: cannot watch %s: the inotify watch limit is reached "
                "(fs.inotify.max_user_watches = %d); raise it with sysctl\n",
                path, inotifytools_get_max_user_watches());
    } else {
        fprintf(stderr, "as2-agent-watch: cannot watch %s: %s\n", path, strerror(err));
    }
    exit(1);
}

// Adds watches for `path` (a folder) and every folder below it. A folder given on the command line
// must be watchable; one created later may already be gone again, and running out of watches
// for it is reported but not fatal (the agent's periodic rescans still find its files).
static void watch_tree(const char *path, int initial) {
    if (inotifytools_watch_recursively(path, WATCH_EVENTS)) return;
    int err = inotifytools_error();
    if (initial) fail_watch(path, err);
    if (err == ENOENT || err == ENOTDIR) return;
    fprintf(stderr, "as2-agent-watch: cannot watch new folder %s: %s\n", path,
            err == ENOSPC ? "the inotify watch limit (fs.inotify.max_user_watches) is reached" : strerror(err));
}

// Ends the process when stdin reaches end-of-file or fails: the agent that reads us is gone.
static void *stdin_guard(void *unused) {
    (void)unused;
    char buf[256];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EINTR)) _exit(0);
    }
    return NULL;
}

// A listed folder may be a symbolic link to one; a folder found later must be a real one, so a
// link inside an outbox never pulls another tree into the watch.
static int is_directory(const char *path, int follow) {
    struct stat st;
    return (follow ? stat(path, &st) : lstat(path, &st)) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: as2-agent-watch DIR...\n", stderr);
        return 2;
    }
    // Descriptors inherited from the agent (sockets, database) are not ours to keep open.
    close_range(3, ~0U, 0);
    if (!inotifytools_initialize()) {
        int err = inotifytools_error();
        if (err == EMFILE) {
            fprintf(stderr, "as2-agent-watch: no inotify instance available "
                            "(fs.inotify.max_user_instances = %d)\n", inotifytools_get_max_user_instances());
        } else {
            fprintf(stderr, "as2-agent-watch: inotify_init: %s\n", strerror(err));
        }
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (!is_directory(argv[i], 1)) {
            fprintf(stderr, "as2-agent-watch: %s is not a folder\n", argv[i]);
            return 1;
        }
        size_t len = strlen(argv[i]);
        while (len > 1 && argv[i][len - 1] == '/') argv[i][--len] = '\0';
        watch_tree(argv[i], 1);
    }

    pthread_t guard;
    if (pthread_create(&guard, NULL, stdin_guard, NULL) != 0) {
        fputs("as2-agent-watch: cannot start the stdin thread\n", stderr);
        return 1;
    }
    emit("READY\n");

    // A folder moved within the watched tree arrives as IN_MOVED_FROM then IN_MOVED_TO with the
    // same cookie; the library's name for its watches is updated so later paths stay right.
    char *moved_from = NULL;
    uint32_t moved_cookie = 0;

    for (;;) {
        struct inotify_event *event = inotifytools_next_event(-1);
        if (!event) {
            int err = inotifytools_error();
            if (err == EINTR || err == 0) continue;
            fprintf(stderr, "as2-agent-watch: reading events: %s\n", strerror(err));
            return 1;
        }
        if (event->mask & IN_Q_OVERFLOW) {
            emit("OVERFLOW\n");
            continue;
        }
        if (event->mask & IN_IGNORED) continue;
        const char *dir = inotifytools_filename_from_wd(event->wd);
        if (!dir || event->len == 0) continue;  // not one of ours, or about the folder itself

        if (event->mask & IN_ISDIR) {
            if (event->mask & IN_MOVED_FROM) {
                free(moved_from);
                moved_from = NULL;
                if (asprintf(&moved_from, "%s%s/", dir, event->name) < 0) moved_from = NULL;
                moved_cookie = event->cookie;
                continue;
            }
            if (!(event->mask & (IN_CREATE | IN_MOVED_TO))) continue;
            char *path = NULL;
            if (asprintf(&path, "%s%s", dir, event->name) < 0) continue;
            if ((event->mask & IN_MOVED_TO) && moved_from && event->cookie == moved_cookie
                && inotifytools_wd_from_filename(moved_from) != -1) {
                char *renamed = NULL;
                if (asprintf(&renamed, "%s/", path) >= 0) {
                    inotifytools_replace_filename(moved_from, renamed);
                    free(renamed);
                }
            } else if (is_directory(path, 0)) {
                watch_tree(path, 0);
            }
            free(moved_from);
            moved_from = NULL;
            emit_path("NEWDIR", path, NULL);
            free(path);
            continue;
        }
        if (event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) emit_path("FILE", dir, event->name);
    }
}
