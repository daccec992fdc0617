// Starts Swagger UI on the server's own OpenAPI document (a file, not an inline
// script, so the page's Content-Security-Policy can forbid inline code).
window.addEventListener("load", function () {
  "use strict";
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis]
  });
});
