"""What each violation type a page reports is called in the exam's records for people (the irregularity report);
the dashboard's static/js/dashboard/wording.js says the same."""

WORDS = {
    "tab_hidden": "Left the exam tab",
    "window_blur": "Left the window",
    "page_reloaded": "Reloaded the page",
    "fullscreen_exit": "Left full screen",
    "copy": "Copied",
    "paste": "Pasted",
    "context_menu": "Opened the context menu",
    "devtools_shortcut": "Pressed a developer tools shortcut",
    "multiple_screens": "Has more than one screen",
    "network_lost": "Lost the network",
    "no_face": "No face on camera",
    "multiple_faces": "More than one face on camera",
    "camera_unavailable": "Camera off or unavailable",
    "screen_share_stopped": "Screen sharing stopped",
}

