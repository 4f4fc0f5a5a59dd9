/* The page's own player: a ▶ time seeks it instead of leaving the page.
   With the YouTube IFrame API loaded, player.seekTo(); without it (blocked,
   offline) the frame is reloaded at start=SECONDS. Links keep their YouTube
   href, so with scripts off they open the video at that second. */
(function () {
  "use strict";
  var frame = document.getElementById("mi-player");
  if (!frame) return;
  var player = null;
  var ready = false;

  window.onYouTubeIframeAPIReady = function () {
    /* global YT */
    player = new YT.Player(frame, {
      events: { onReady: function () { ready = true; } }
    });
  };
  var api = document.createElement("script");
  api.src = "https://www.youtube.com/iframe_api";
  api.async = true;
  document.head.appendChild(api);

  function embed(video, start) {
    var base = frame.src.split("?")[0].replace(/[^/]*$/, "");
    var params = ["start=" + start, "autoplay=1", "enablejsapi=1", "rel=0"];
    return base + encodeURIComponent(video) + "?" + params.join("&");
  }

  function seek(video, start) {
    if (ready && player && typeof player.seekTo === "function") {
      if (frame.dataset.video !== video) {
        player.loadVideoById({ videoId: video, startSeconds: start });
      } else {
        player.seekTo(start, true);
        player.playVideo();
      }
    } else {
      frame.src = embed(video, start);
    }
    frame.dataset.video = video;
    frame.dataset.start = String(start);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.mi-seek");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button > 0) return;
    var video = link.dataset.video;
    var start = parseInt(link.dataset.start || "0", 10) || 0;
    if (!/^[A-Za-z0-9_-]{11}$/.test(video || "")) return;
    event.preventDefault();
    seek(video, start);
    var current = document.querySelector("a.mi-seek[aria-current]");
    if (current) current.removeAttribute("aria-current");
    link.setAttribute("aria-current", "true");
    frame.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
})();
