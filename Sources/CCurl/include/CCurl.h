#ifndef ORDINAUT_CCURL_H
#define ORDINAUT_CCURL_H
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

// libcurl is opened on first use (see ordinaut_lazy_library.h): call ordinaut_curl_load() before
// any other function of it, and report ordinaut_curl_load_error() when it returns 0.
int ordinaut_curl_load(void);
const char *ordinaut_curl_load_error(void);

// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot call:
// one typed wrapper per argument kind.
CURLcode ordinaut_curl_set_long(CURL *handle, CURLoption option, long value);
CURLcode ordinaut_curl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode ordinaut_curl_set_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ordinaut_curl_set_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ordinaut_curl_set_write_function(CURL *handle, size_t (*function)(char *, size_t, size_t, void *));
CURLcode ordinaut_curl_set_header_function(CURL *handle, size_t (*function)(char *, size_t, size_t, void *));
CURLcode ordinaut_curl_get_long(CURL *handle, CURLINFO info, long *value);
CURLcode ordinaut_curl_get_pointer(CURL *handle, CURLINFO info, void **value);
CURLMcode ordinaut_curl_multi_set_long(CURLM *multi, CURLMoption option, long value);
#endif
