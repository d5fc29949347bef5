// Files the binary carries, so that the contracts in protocol/ and the built-in manifests in
// extensions/ have exactly one copy in the tree. C23 #embed reads them at compile time.
#include <string.h>
#include "ordinaut_resources.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char manifest_schema[] = {
#embed "../../protocol/extension-manifest.schema.json"
};
static const unsigned char openapi_document[] = {
#embed "../../protocol/openapi.json"
};
static const unsigned char host_protocol_schema[] = {
#embed "../../protocol/host-protocol.schema.json"
};
static const unsigned char events_demo_manifest[] = {
#embed "../../extensions/events_demo/extension.json"
};
static const unsigned char events_demo_index[] = {
#embed "../../extensions/events_demo/static/index.html"
};
static const unsigned char mcp_http_manifest[] = {
#embed "../../extensions/mcp_http/extension.json"
};
static const unsigned char observability_manifest[] = {
#embed "../../extensions/observability/extension.json"
};

static const struct {
    const char *name;
    const unsigned char *bytes;
    size_t length;
} resources[] = {
    {"protocol/extension-manifest.schema.json", manifest_schema, sizeof manifest_schema},
    {"protocol/openapi.json", openapi_document, sizeof openapi_document},
    {"protocol/host-protocol.schema.json", host_protocol_schema, sizeof host_protocol_schema},
    {"extensions/events_demo/extension.json", events_demo_manifest, sizeof events_demo_manifest},
    {"extensions/events_demo/static/index.html", events_demo_index, sizeof events_demo_index},
    {"extensions/mcp_http/extension.json", mcp_http_manifest, sizeof mcp_http_manifest},
    {"extensions/observability/extension.json", observability_manifest, sizeof observability_manifest},
};

const unsigned char *ordinaut_resource(const char *name, size_t *length) {
    for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++) {
        if (strcmp(resources[i].name, name) == 0) {
            *length = resources[i].length;
            return resources[i].bytes;
        }
    }
    *length = 0;
    return NULL;
}

const char *ordinaut_resource_name(size_t index) {
    return index < sizeof resources / sizeof resources[0] ? resources[index].name : NULL;
}
