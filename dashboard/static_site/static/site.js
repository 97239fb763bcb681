/* Draws each chart of a static page from the figure JSON beside it (one shared copy of this file). */
(function () {
  var holders = document.querySelectorAll("[data-figure]");
  for (var i = 0; i < holders.length; i++) {
    var holder = holders[i];
    var source = document.getElementById(holder.getAttribute("data-figure"));
    if (!source || typeof Plotly === "undefined") { continue; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(holder, figure.data, figure.layout, {displaylogo: false, responsive: true,
      modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"]});
  }
})();
