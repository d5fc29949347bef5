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
static const unsigned char webui_manifest[] = {
#embed "../../extensions/webui/extension.json"
};
// The web UI's pages (extensions/webui/static/), served by the host under /ext/webui/static/.
static const unsigned char webui_index_html[] = {
#embed "../../extensions/webui/static/index.html"
};
static const unsigned char webui_app_css[] = {
#embed "../../extensions/webui/static/app.css"
};
static const unsigned char webui_favicon_svg[] = {
#embed "../../extensions/webui/static/favicon.svg"
};
static const unsigned char webui_js_app_js[] = {
#embed "../../extensions/webui/static/js/app.js"
};
static const unsigned char webui_js_api_js[] = {
#embed "../../extensions/webui/static/js/api.js"
};
static const unsigned char webui_js_ui_js[] = {
#embed "../../extensions/webui/static/js/ui.js"
};
static const unsigned char webui_js_overview_js[] = {
#embed "../../extensions/webui/static/js/overview.js"
};
static const unsigned char webui_js_tasks_js[] = {
#embed "../../extensions/webui/static/js/tasks.js"
};
static const unsigned char webui_js_task_form_js[] = {
#embed "../../extensions/webui/static/js/task-form.js"
};
static const unsigned char webui_js_runs_js[] = {
#embed "../../extensions/webui/static/js/runs.js"
};
static const unsigned char webui_js_approvals_js[] = {
#embed "../../extensions/webui/static/js/approvals.js"
};
static const unsigned char webui_js_extensions_js[] = {
#embed "../../extensions/webui/static/js/extensions.js"
};
static const unsigned char webui_js_tools_js[] = {
#embed "../../extensions/webui/static/js/tools.js"
};
static const unsigned char webui_js_events_js[] = {
#embed "../../extensions/webui/static/js/events.js"
};
static const unsigned char webui_js_login_js[] = {
#embed "../../extensions/webui/static/js/login.js"
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
    {"extensions/webui/extension.json", webui_manifest, sizeof webui_manifest},
    {"extensions/webui/static/index.html", webui_index_html, sizeof webui_index_html},
    {"extensions/webui/static/app.css", webui_app_css, sizeof webui_app_css},
    {"extensions/webui/static/favicon.svg", webui_favicon_svg, sizeof webui_favicon_svg},
    {"extensions/webui/static/js/app.js", webui_js_app_js, sizeof webui_js_app_js},
    {"extensions/webui/static/js/api.js", webui_js_api_js, sizeof webui_js_api_js},
    {"extensions/webui/static/js/ui.js", webui_js_ui_js, sizeof webui_js_ui_js},
    {"extensions/webui/static/js/overview.js", webui_js_overview_js, sizeof webui_js_overview_js},
    {"extensions/webui/static/js/tasks.js", webui_js_tasks_js, sizeof webui_js_tasks_js},
    {"extensions/webui/static/js/task-form.js", webui_js_task_form_js, sizeof webui_js_task_form_js},
    {"extensions/webui/static/js/runs.js", webui_js_runs_js, sizeof webui_js_runs_js},
    {"extensions/webui/static/js/approvals.js", webui_js_approvals_js, sizeof webui_js_approvals_js},
    {"extensions/webui/static/js/extensions.js", webui_js_extensions_js, sizeof webui_js_extensions_js},
    {"extensions/webui/static/js/tools.js", webui_js_tools_js, sizeof webui_js_tools_js},
    {"extensions/webui/static/js/events.js", webui_js_events_js, sizeof webui_js_events_js},
    {"extensions/webui/static/js/login.js", webui_js_login_js, sizeof webui_js_login_js},
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
