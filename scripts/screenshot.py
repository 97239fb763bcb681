"""Take full-width screenshots of app pages in headless Chromium: `python scripts/screenshot.py URL OUT.png [WxH]`."""

import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options


def main(url: str, out: str, size: str = "1280x720") -> None:
    w, h = (int(x) for x in size.split("x"))
    opts = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", f"--window-size={w},{h}"):
        opts.add_argument(arg)
    opts.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(options=opts)
    try:
        driver.get(url)
        time.sleep(float(__import__("os").environ.get("SHOT_WAIT", "3")))  # let the first callbacks draw
        if "--full" in sys.argv:
            height = driver.execute_script("return document.body.scrollHeight")
            driver.set_window_size(w, min(height, 6000))
            time.sleep(0.5)
        driver.save_screenshot(out)
    finally:
        driver.quit()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*args)
