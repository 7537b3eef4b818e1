// The pages' only script of their own (the Content-Security-Policy allows no inline script):
// the Print buttons, the progress slider kept in step with its number field, and the Copy button
// of the calendar feed address (hidden without JavaScript: the address is selectable text).
document.addEventListener("click", function (event) {
  if (event.target.closest(".print-btn")) {
    window.print();
  }
  var copy = event.target.closest(".copy-btn");
  if (copy) {
    var field = document.getElementById(copy.dataset.copy);
    var done = function () { copy.textContent = copy.dataset.copied; };
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  }
});
document.querySelectorAll(".copy-btn").forEach(function (button) {
  button.hidden = false;
});
document.addEventListener("input", function (event) {
  var field = event.target;
  var pair = field.closest(".percent-input");
  if (!pair) {
    return;
  }
  pair.querySelectorAll("input").forEach(function (other) {
    if (other !== field) {
      other.value = field.value;
    }
  });
});
