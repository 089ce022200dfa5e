/** A realistic article page: navigation, header, footer and script around the text Readability should keep. */
export const ARTICLE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tide pools | Coast Notes</title>
<script>window.tracking = "SECRET_SCRIPT";</script><style>.x{color:red}</style></head>
<body>
<header><nav><a href="/">Home</a> <a href="/about">About us</a> <a href="/login">Log in</a></nav></header>
<main><article>
<h1>Life in the tide pools</h1>
<p class="byline">By Ana Ruiz</p>
<p>Tide pools are rocky hollows on the shore that the sea fills at high tide and leaves behind as it falls. Twice a day their inhabitants are cut off from the ocean, and they must survive heat, fresh rain and hungry birds until the water returns.</p>
<p>Sea anemones close into jelly-like blobs to keep moist, while <a href="/species/hermit-crab">hermit crabs</a> scuttle between shells. Mussels clamp shut and barnacles seal their plates; starfish move slowly across the rocks in search of those same mussels, prying them open with patient force.</p>
<h2>What to bring</h2>
<ul><li>Shoes with a good grip</li><li>A tide table</li></ul>
<pre><code>low_tide = "06:42"</code></pre>
<p>Always check the tide table before you go: the sea comes back faster than you think, and the rocks are slippery when wet. Leave every creature where you found it, and turn stones back over gently.</p>
</article></main>
<footer>Copyright Coast Notes. <a href="/privacy">Privacy</a></footer>
</body></html>`;
