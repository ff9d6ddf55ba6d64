"""Every instance's interactive API documentation, /docs (Swagger UI) and /redoc (ReDoc), with their scripts,
styles and icons served by the instance itself: FastAPI's defaults load them from a CDN, which a government
intranet does not reach, and the pages would stay blank. The assets are npm packages pinned by
deploy/api-docs/package-lock.json, installed by `make setup` (like the operations page's ECharts).

The pages and assets are public like the OpenAPI document they render: the gate asks a token only under
/v1/ and /metrics (shared/adapters/gate.py). Swagger UI's "Authorize" takes a bearer token for trying calls.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

from shared.contracts.problems import Problem
from shared.core.settings import ROOT

PACKAGES = ROOT / "deploy" / "api-docs" / "node_modules"
ASSETS_PATH = "/docs/assets"
# The only files served, by the name the pages ask for: nothing else under node_modules is reachable.
ASSETS = {
    "swagger-ui-bundle.js": PACKAGES / "swagger-ui-dist" / "swagger-ui-bundle.js",
    "swagger-ui.css": PACKAGES / "swagger-ui-dist" / "swagger-ui.css",
    "favicon-32x32.png": PACKAGES / "swagger-ui-dist" / "favicon-32x32.png",
    "redoc.standalone.js": PACKAGES / "redoc" / "bundles" / "redoc.standalone.js",
}
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}


def add_api_docs(app: FastAPI) -> None:
    """/docs, its OAuth2 redirect page, /redoc and their assets, on an app made with docs_url=None and
    redoc_url=None (its OpenAPI document stays at app.openapi_url)."""
    openapi_url = app.openapi_url or "/openapi.json"
    favicon = f"{ASSETS_PATH}/favicon-32x32.png"
    oauth2_redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=favicon,
            oauth2_redirect_url=oauth2_redirect,
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from the online validator
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,  # a font CDN is as unreachable as a script CDN
        )

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        path = ASSETS.get(name)
        if path is None:
            raise Problem(404, "not-found", "Not found", f"no documentation asset {name!r}")
        if not path.is_file():
            raise Problem(503, "assets-missing", "Documentation assets not installed", "run `make setup`")
        return FileResponse(path, media_type=MEDIA_TYPES[path.suffix])
