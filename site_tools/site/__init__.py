"""The published site: pages, plots and exports generated from the catalog and its run records.

How a build works
-----------------
1. :func:`~site_tools.site.generate.generate` reads the validated
   :class:`~site_tools.catalog.Catalog` and the run records under ``results/`` (through
   :mod:`~site_tools.site.results`, which asks :func:`site_tools.status.claim_status` for each
   claim's status) and writes plain files into a *generated docs folder*, ``build/docs/``
   (git-ignored): Markdown pages with front matter, SVG plots and badges, the catalog export
   (``catalog.json``, its index pages and one file per entry, :mod:`~site_tools.site.exports`)
   with its schemas, BibTeX files and the site's CSS and JavaScript. It knows nothing of
   mkdocs; any static-site tool could read the folder.
2. The hand-written pages stay in ``docs/`` and are never copied: the mkdocs plugin
   (:mod:`~site_tools.site.plugin`, ``plugins: [lmhub]`` in ``mkdocs.yml``) generates the
   folder when mkdocs loads its configuration and *merges* it in by adding its files to the
   ones mkdocs found in ``docs_dir``. A hand-written file with the path of a generated one is
   an error rather than a silent override. Keeping ``docs_dir`` the hand-written folder means
   ``mkdocs serve`` watches the files people edit, and never the files the build writes.
   Hand-written pages are filled in as they are rendered (:mod:`~site_tools.site.handwritten`).
3. mkdocs-material renders everything into ``site/``. ``lmhub build``
   (:mod:`~site_tools.site.build`) always builds strictly, so a broken internal link fails.

Generation is incremental: :class:`~site_tools.site.output.OutputTree` writes a file only
when its content changed and remembers what it wrote in a manifest; an entry's page is not
even rendered when nothing it shows changed (:mod:`~site_tools.site.dependencies`); run
records, drawn plots and the export's entry files are memoised in ``build/cache/``. The
papers pages and the export are cut into files of bounded size
(:mod:`~site_tools.site.pages.papers_layout`, :mod:`~site_tools.site.exports`), so neither
grows with the bibliography or the catalogue.

Safety
------
Contributed text reaches a page only through :mod:`~site_tools.site.text` (HTML escaped,
attribute lists disabled, links limited to http(s), DOI and arXiv), math is rendered to
MathML on the server and rebuilt from an allow-list (:mod:`~site_tools.site.math`), and the
Markdown extension :mod:`~site_tools.site.safety` strips event handlers and non-http(s) links
from every rendered page. The site loads nothing from other hosts: no web fonts, no CDN.
"""
