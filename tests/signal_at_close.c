/*
 * signal_at_close.c: an LD_PRELOAD shim for the CLI tests. It wraps HDF5's
 * H5Fclose so that the process raises the signal named by
 * FALCONSIM_TEST_SIGNAL (a number) to itself right after the result file
 * is closed and before it is renamed into place: a signal that arrives in
 * the write phase, deterministically. Without the variable it does nothing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <hdf5.h>
#include <signal.h>
#include <stdlib.h>

herr_t H5Fclose(hid_t file)
{
    static herr_t (*real_close)(hid_t);
    if (real_close == NULL)
        real_close = (herr_t(*)(hid_t))dlsym(RTLD_NEXT, "H5Fclose");
    if (real_close == NULL)
        abort();
    herr_t rc = real_close(file);
    const char *sig = getenv("FALCONSIM_TEST_SIGNAL");
    if (sig != NULL && atoi(sig) > 0)
        raise(atoi(sig));
    return rc;
}
