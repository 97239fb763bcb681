/* Draws each chart of the review pack from the figure JSON beside it: offline, no mode bar. */
(function () {
  var holders = document.querySelectorAll("[data-figure]");
  for (var i = 0; i < holders.length; i++) {
    var holder = holders[i];
    var source = document.getElementById(holder.getAttribute("data-figure"));
    if (!source || typeof Plotly === "undefined") { continue; }
    var figure = JSON.parse(source.textContent);
    holder.textContent = "";
    Plotly.newPlot(holder, figure.data, figure.layout, {displayModeBar: false, responsive: false});
  }
})();
