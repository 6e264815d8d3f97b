// Shrink photos in the browser before upload (phones take 5–12 MB pictures).
// Progressive enhancement: without JavaScript, or where canvas/DataTransfer are missing,
// the original file is sent and the server shrinks it (and refuses what is too large).
(function () {
  "use strict";
  var MAX_SIDE = 2000;
  var QUALITY = 0.85;
  if (!window.HTMLCanvasElement || !window.DataTransfer || !window.URL || window.facilitiesPhotos) return;
  window.facilitiesPhotos = true;

  function shrink(input) {
    var file = input.files && input.files[0];
    if (!file || !/^image\/(jpeg|png|webp|heic|heif)$/i.test(file.type)) return;
    var url = URL.createObjectURL(file);
    var img = new Image();
    img.onload = function () {
      URL.revokeObjectURL(url);
      var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
      if (scale === 1 && file.size < 2 * 1024 * 1024) return; // small already
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(img.naturalWidth * scale);
      canvas.height = Math.round(img.naturalHeight * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob || blob.size >= file.size) return;
        var name = file.name.replace(/\.[^.]+$/, "") + ".jpg";
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], name, { type: "image/jpeg" }));
        input.files = transfer.files;
        input.dataset.shrunk = String(blob.size);
      }, "image/jpeg", QUALITY);
    };
    img.onerror = function () { URL.revokeObjectURL(url); };
    img.src = url;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches('input[type="file"][data-downscale]')) {
      shrink(input);
    }
  });
})();
