"""The baseline of the page benchmark (tools/page_bench.py): bare Flask + Jinja rendering a
page with a 50-row table, no database, served by the same gunicorn settings as Joren:

    gunicorn -c deploy/gunicorn.conf.py "tools.bare_app:create_app()"

Its throughput is what a page of Joren's is compared with: a signed-in page should reach 0.3
of it (issue 14). The template is inline and autoescaped, like Joren's, and the rows are built
per request, so the baseline pays for the render and not for a cache; the template is
compiled once, as Flask's loader keeps compiled templates.
"""

from __future__ import annotations

from flask import Flask, render_template

ROWS = 50
PAGE = """<!doctype html>
<html lang="ja">
<head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body>
<nav class="navbar"><a href="/">Joren</a>{% for item in nav %}
  <a class="nav-link" href="{{ item.href }}">{{ item.label }}</a>{% endfor %}</nav>
<main class="container">
<h1>{{ title }}</h1>
<table class="table table-sm">
<thead><tr><th>#</th><th>名前</th><th>フリガナ</th><th>会社</th><th>業種</th><th>参加</th></tr>
</thead>
<tbody>{% for row in rows %}
<tr><td>{{ row.n }}</td><td><a href="/members/{{ row.n }}">{{ row.name }}</a></td>
<td>{{ row.reading }}</td><td>{{ row.company }}</td><td>{{ row.industry }}</td>
<td>{{ "{:,}".format(row.count) }}</td></tr>{% endfor %}
</tbody></table>
</main>
</body></html>
"""
NAV = [{"href": f"/section/{n}", "label": label}
       for n, label in enumerate(["ホーム", "例会", "メンバー", "紹介", "分析", "設定"])]


def create_app() -> Flask:
    app = Flask(__name__)
    page = app.jinja_env.from_string(PAGE)  # compiled once, as Flask caches its templates

    @app.get("/")
    def table() -> str:
        rows = [{"n": n, "name": f"山田 太郎{n}", "reading": "ヤマダ タロウ",
                 "company": f"株式会社なにわ商事{n}", "industry": "卸売業，小売業",
                 "count": n * 37} for n in range(1, ROWS + 1)]
        return render_template(page, title="メンバー一覧", nav=NAV, rows=rows)

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app
