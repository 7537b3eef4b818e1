// Starts the vendored Swagger UI on /schema (web/apidocs.py); a file, not an inline script, so the
// page's Content-Security-Policy needs no 'unsafe-inline' for scripts.
window.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("swagger-container");
  SwaggerUIBundle({
    url: container.dataset.specUrl,
    dom_id: "#swagger-container",
    deepLinking: true,
    persistAuthorization: true,  // the token pasted into Authorize survives a reload of /schema
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
