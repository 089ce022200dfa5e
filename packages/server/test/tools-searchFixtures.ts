/** Answers shaped like the real backends' (recorded shapes, written by hand), served by the tests' local fakes. */

export const SEARXNG_ANSWER = {
  query: 'rust async runtime',
  number_of_results: 0,
  results: [
    {
      url: 'https://tokio.rs/',
      title: 'Tokio - An asynchronous Rust runtime',
      content: 'Tokio is an asynchronous runtime for the Rust programming language. It provides the building blocks needed for writing network applications.',
      publishedDate: null,
      thumbnail: '',
      engine: 'duckduckgo',
      template: 'default.html',
      parsed_url: ['https', 'tokio.rs', '/', '', '', ''],
      img_src: '',
      priority: '',
      engines: ['duckduckgo', 'brave', 'startpage'],
      positions: [1, 1, 2],
      score: 9.0,
      category: 'general',
    },
    {
      url: 'https://async.rs/',
      title: 'async-std',
      content: 'Async version of the Rust standard library',
      publishedDate: null,
      engine: 'brave',
      template: 'default.html',
      parsed_url: ['https', 'async.rs', '/', '', '', ''],
      engines: ['brave'],
      positions: [3],
      score: 0.33,
      category: 'general',
    },
    {
      url: 'https://docs.rs/smol',
      title: 'smol  -  Rust',
      content: 'A small and fast   async runtime.',
      engine: 'startpage',
      engines: ['startpage'],
      positions: [5],
      score: 0.2,
      category: 'general',
    },
  ],
  answers: [],
  corrections: [],
  infoboxes: [],
  suggestions: ['rust async book', 'tokio vs async-std'],
  unresponsive_engines: [['google', 'Suspended: CAPTCHA']],
};

export const BRAVE_ANSWER = {
  query: { original: 'rust async runtime', show_strict_warning: false, is_navigational: false, is_news_breaking: false, spellcheck_off: true, country: 'us', bad_results: false, should_fallback: false, postal_code: '', city: '', header_country: '', more_results_available: true, state: '' },
  mixed: { type: 'mixed', main: [{ type: 'web', index: 0, all: false }, { type: 'web', index: 1, all: false }], top: [], side: [] },
  type: 'search',
  web: {
    type: 'search',
    results: [
      {
        title: 'Tokio - An <strong>asynchronous</strong> <strong>Rust</strong> runtime',
        url: 'https://tokio.rs/',
        is_source_local: false,
        is_source_both: false,
        description: 'Tokio is an <strong>asynchronous</strong> <strong>runtime</strong> for the <strong>Rust</strong> programming language &amp; more.',
        page_age: '2025-02-11T08:12:31',
        profile: { name: 'Tokio', url: 'https://tokio.rs/', long_name: 'tokio.rs', img: 'https://imgs.search.brave.com/x.png' },
        language: 'en',
        family_friendly: true,
        type: 'search_result',
        subtype: 'generic',
        is_live: false,
        meta_url: { scheme: 'https', netloc: 'tokio.rs', hostname: 'tokio.rs', favicon: 'https://imgs.search.brave.com/f.png', path: '' },
        age: 'February 11, 2025',
      },
      {
        title: 'Asynchronous Programming in <strong>Rust</strong>',
        url: 'https://rust-lang.github.io/async-book/',
        is_source_local: false,
        is_source_both: false,
        description: 'This book aims to be a thorough guide to <strong>asynchronous</strong> programming in <strong>Rust</strong>.',
        language: 'en',
        family_friendly: true,
        type: 'search_result',
        subtype: 'generic',
        meta_url: { scheme: 'https', netloc: 'rust-lang.github.io', hostname: 'rust-lang.github.io', favicon: '', path: '› async-book' },
      },
    ],
    family_friendly: true,
  },
};

export const DUCKDUCKGO_HTML = `<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<meta http-equiv="content-type" content="text/html; charset=UTF-8">
<title>rust async runtime at DuckDuckGo</title>
<link rel="stylesheet" href="/dist/h.css" type="text/css">
</head>
<body class="body--html">
<div>
<div class="site-wrapper-border"></div>
<div id="header" class="header cw header--html">
<form name="x" class="header__form" action="/html/" method="post"><input type="text" name="q" class="search__input" value="rust async runtime"></form>
</div>
<div>
<div class="serp__results">
<div id="links" class="results">
<div class="result results_links results_links_deep result--ad  result--ad--small">
<div class="links_main links_deep result__body">
<h2 class="result__title"><a rel="nofollow" class="result__a" href="https://duckduckgo.com/y.js?ad_domain=example.com&amp;ad_provider=bingv7aa&amp;u3=https%3A%2F%2Fwww.bing.com%2Faclick">Sponsored: Buy Rust Courses</a></h2>
<a class="result__snippet" href="https://duckduckgo.com/y.js?ad_domain=example.com">Learn Rust fast. Ad.</a>
</div>
</div>
<div class="result results_links results_links_deep web-result ">
<div class="links_main links_deep result__body">
<h2 class="result__title">
<a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Ftokio.rs%2F&amp;rut=3f1c1e6b2a">Tokio - An asynchronous <b>Rust</b> runtime</a>
</h2>
<div class="result__extras">
<div class="result__extras__url">
<span class="result__icon"><a rel="nofollow" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Ftokio.rs%2F&amp;rut=3f1c1e6b2a"><img class="result__icon__img" width="16" height="16" alt="" src="//external-content.duckduckgo.com/ip3/tokio.rs.ico" name="i15"></a></span>
<a class="result__url" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Ftokio.rs%2F&amp;rut=3f1c1e6b2a">tokio.rs</a>
</div>
</div>
<a class="result__snippet" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Ftokio.rs%2F&amp;rut=3f1c1e6b2a">Tokio is an <b>asynchronous</b> <b>runtime</b> for the <b>Rust</b> programming language.</a>
<div class="clear"></div>
</div>
</div>
<div class="result results_links results_links_deep web-result ">
<div class="links_main links_deep result__body">
<h2 class="result__title">
<a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fdocs.rs%2Fasync%2Dstd%2Flatest%2Fasync_std%2F%3Fsearch%3Dtask%26x%3D1&amp;rut=9b2e">async_std - <b>Rust</b></a>
</h2>
<a class="result__snippet" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fdocs.rs%2Fasync%2Dstd%2F&amp;rut=9b2e">Async version of the <b>Rust</b> standard library &amp; friends.</a>
</div>
</div>
<div class="nav-link">
<form action="/html/" method="post"><input type="submit" class="btn btn--alt" value="Next"><input type="hidden" name="q" value="rust async runtime"><input type="hidden" name="s" value="10"></form>
</div>
</div>
</div>
</div>
</div>
</body>
</html>`;

export const DUCKDUCKGO_NO_RESULTS_HTML = `<!DOCTYPE html><html><head><title>zzqqxx at DuckDuckGo</title></head><body class="body--html">
<div class="serp__results"><div id="links" class="results"><div class="no-results">No  results.</div></div></div></body></html>`;

export const DUCKDUCKGO_CHALLENGE_HTML = `<!DOCTYPE html><html><head><title>DuckDuckGo</title></head><body>
<div class="anomaly-modal__mask"><div class="anomaly-modal__modal anomaly-modal"><div class="anomaly-modal__title">Unfortunately, bots use DuckDuckGo too.</div>
<form id="challenge-form" action="/anomaly.js" method="POST"></form></div></div></body></html>`;
