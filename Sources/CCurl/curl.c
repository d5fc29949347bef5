#include "CCurl.h"
#include "ordinaut_lazy_library.h"

#define CURL_FUNCTIONS(F, P, S)                                                                        \
    F(CURLcode, curl_global_init, (long flags), (flags))                                               \
    F(CURL *, curl_easy_init, (void), ())                                                              \
    P(curl_easy_cleanup, (CURL *handle), (handle))                                                     \
    P(curl_easy_reset, (CURL *handle), (handle))                                                       \
    F(const char *, curl_easy_strerror, (CURLcode code), (code))                                       \
    S(curl_easy_setopt)                                                                                \
    S(curl_easy_getinfo)                                                                               \
    F(struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *value), (list, value)) \
    P(curl_slist_free_all, (struct curl_slist *list), (list))                                          \
    F(CURLM *, curl_multi_init, (void), ())                                                            \
    S(curl_multi_setopt)                                                                               \
    F(CURLMcode, curl_multi_add_handle, (CURLM *multi, CURL *handle), (multi, handle))                 \
    F(CURLMcode, curl_multi_remove_handle, (CURLM *multi, CURL *handle), (multi, handle))              \
    F(CURLMcode, curl_multi_perform, (CURLM *multi, int *running), (multi, running))                   \
    F(CURLMcode, curl_multi_poll,                                                                      \
      (CURLM *multi, struct curl_waitfd extra[], unsigned int count, int timeout, int *ready),         \
      (multi, extra, count, timeout, ready))                                                           \
    F(CURLMcode, curl_multi_wakeup, (CURLM *multi), (multi))                                           \
    F(CURLMsg *, curl_multi_info_read, (CURLM *multi, int *queued), (multi, queued))

ORDINAUT_LAZY_LIBRARY(ordinaut_curl, "libcurl.so.4", CURL_FUNCTIONS)

typedef CURLcode (*setopt_function)(CURL *, CURLoption, ...);
typedef CURLcode (*getinfo_function)(CURL *, CURLINFO, ...);
#define SETOPT ((setopt_function)ordinaut_lazy_slot(ordinaut_lazy_index_curl_easy_setopt))
#define GETINFO ((getinfo_function)ordinaut_lazy_slot(ordinaut_lazy_index_curl_easy_getinfo))

CURLcode ordinaut_curl_set_long(CURL *handle, CURLoption option, long value) {
    return SETOPT(handle, option, value);
}
CURLcode ordinaut_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return SETOPT(handle, option, value);
}
CURLcode ordinaut_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return SETOPT(handle, option, value);
}
CURLcode ordinaut_curl_set_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return SETOPT(handle, option, value);
}
CURLcode ordinaut_curl_set_write_function(CURL *handle, size_t (*function)(char *, size_t, size_t, void *)) {
    return SETOPT(handle, CURLOPT_WRITEFUNCTION, function);
}
CURLcode ordinaut_curl_set_header_function(CURL *handle, size_t (*function)(char *, size_t, size_t, void *)) {
    return SETOPT(handle, CURLOPT_HEADERFUNCTION, function);
}
CURLcode ordinaut_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return GETINFO(handle, info, value);
}
CURLcode ordinaut_curl_get_pointer(CURL *handle, CURLINFO info, void **value) {
    return GETINFO(handle, info, value);
}
CURLMcode ordinaut_curl_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    typedef CURLMcode (*multi_variadic)(CURLM *, CURLMoption, ...);
    return ((multi_variadic)ordinaut_lazy_slot(ordinaut_lazy_index_curl_multi_setopt))(multi, option, value);
}
