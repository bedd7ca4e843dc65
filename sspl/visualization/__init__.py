from .localization_visualizer import LocalizationVisualizer, heatmap_to_rgb, overlay_heatmap

__all__ = ['LocalizationVisualizer', 'heatmap_to_rgb', 'overlay_heatmap']
